# wrong: looks at the file once instead of in a loop, finds nothing and ends without exists!
import asyncio
import os.path
from threading import Timer


def create_file(name):
    with open(name, "w") as f:
        pass


t = Timer(2.0, create_file, ["senjun.py"])
t.start()


async def check_existing(path):
    if os.path.exists(path):
        print("exists!")


async def tick():
    while True:
        print("tick")
        await asyncio.sleep(1)


async def main():
    asyncio.create_task(tick())
    await asyncio.create_task(check_existing("senjun.py"))


asyncio.run(main())
