# wrong: main starts both tasks and returns at once: asyncio.run cancels them before the file appears
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
        await asyncio.sleep(0)
    print("exists!")


async def tick():
    while True:
        print("tick")
        await asyncio.sleep(1)


async def main():
    asyncio.create_task(tick())
    asyncio.create_task(check_existing("senjun.py"))
    await asyncio.sleep(0)


asyncio.run(main())
