# wrong: gathers the endless tick with the checker, so it keeps printing tick after exists! until it is stopped
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
    await asyncio.gather(tick(), check_existing("senjun.py"))


asyncio.run(main())
