# right: no separate tick task: main prints tick and waits up to 1 s for the checker with asyncio.wait(timeout=1)
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
        await asyncio.sleep(0.01)
    print("exists!")


async def main():
    checker = asyncio.create_task(check_existing("senjun.py"))
    while not checker.done():
        print("tick")
        await asyncio.wait([checker], timeout=1)


asyncio.run(main())
