# wrong: hides the blocking time.sleep in a plain helper function that the coroutine calls on every check (the old tests accepted it)
import asyncio
import os.path
import time
from threading import Timer


def create_file(name):
    with open(name, "w") as f:
        pass


t = Timer(2.0, create_file, ["senjun.py"])
t.start()


def file_is_there(path):
    time.sleep(0.1)
    return os.path.exists(path)


async def check_existing(path):
    while not file_is_there(path):
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
