# wrong: tick waits with a blocking time.sleep(1), so the checker never gets the event loop again and the program never ends
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
        await asyncio.sleep(0)
    print("exists!")


async def tick():
    while True:
        print("tick")
        time.sleep(1)


async def main():
    asyncio.create_task(tick())
    await asyncio.create_task(check_existing("senjun.py"))


asyncio.run(main())
