# wrong: waits for the file in a time.sleep loop that never awaits: tick is silent until the file appears (the old tests accepted it on CPython: one tick after exists! made the count; Pyodide's Timer cannot fire while Python blocks, so there it times out)
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
    print("exists!")


async def tick():
    while True:
        print("tick")
        await asyncio.sleep(1)


async def main():
    asyncio.create_task(tick())
    await asyncio.create_task(check_existing("senjun.py"))


asyncio.run(main())
