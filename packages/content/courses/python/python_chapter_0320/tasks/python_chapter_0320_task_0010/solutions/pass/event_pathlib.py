# right: the checker sets an asyncio.Event, main waits on it; the file is looked at with pathlib.Path.is_file
import asyncio
from pathlib import Path
from threading import Timer


def create_file(name):
    with open(name, "w") as f:
        pass


t = Timer(2.0, create_file, ["senjun.py"])
t.start()


async def check_existing(path, found):
    while not Path(path).is_file():
        await asyncio.sleep(0.02)
    print("exists!")
    found.set()


async def tick():
    while True:
        print("tick")
        await asyncio.sleep(1)


async def main():
    found = asyncio.Event()
    tasks = [
        asyncio.create_task(tick()),
        asyncio.create_task(check_existing("senjun.py", found)),
    ]
    await found.wait()
    for task in tasks:
        task.cancel()


asyncio.run(main())
