# right: a TaskGroup holds the ticker; main awaits the check itself, then cancels the ticker so the group can close
import asyncio
import os.path
from threading import Timer


def create_file(name):
    with open(name, "w") as f:
        pass


t = Timer(2.0, create_file, ["senjun.py"])
t.start()


async def check_existing(path):
    while not os.path.exists(path):
        await asyncio.sleep(0.05)
    print("exists!")


async def tick():
    while True:
        print("tick")
        await asyncio.sleep(1)


async def main():
    async with asyncio.TaskGroup() as group:
        ticker = group.create_task(tick())
        await check_existing("senjun.py")
        ticker.cancel()


asyncio.run(main())
