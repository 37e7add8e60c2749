# wrong: busy-waits 0.1 s between checks in a while loop without await, blocking the event loop as time.sleep would (the old tests accepted it)
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
        started = time.monotonic()
        while time.monotonic() - started < 0.1:
            pass
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
