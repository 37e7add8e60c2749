# wrong: polls the file with a blocking time.sleep(0.1) inside the coroutine, so the event loop stands still between checks (the old tests accepted it: its output and timing look right)
import asyncio
import os.path
import time
from threading import Timer


def create_file(name):
    with open(name, "w") as f:
        pass


t = Timer(2.0, create_file, ["senjun.py"])
t.start()


async def check_existing(path):
    while not os.path.exists(path):
        time.sleep(0.1)
        await asyncio.sleep(0)
    print("exists!")


async def tick():
    while True:
        print("tick")
        await asyncio.sleep(1)


async def main():
    asyncio.create_task(tick())
    await asyncio.create_task(check_existing("senjun.py"))


asyncio.run(main())
