# right: asyncio.wait(..., return_when=FIRST_COMPLETED) on both tasks, then the ticker cancelled; polls every 0.1 s
import asyncio
import os
from threading import Timer


def create_file(name):
    with open(name, "w") as f:
        pass


t = Timer(2.0, create_file, ["senjun.py"])
t.start()


async def check_existing(path):
    while True:
        if os.path.exists(path):
            print("exists!")
            return
        await asyncio.sleep(0.1)


async def tick():
    while True:
        print("tick")
        await asyncio.sleep(1)


async def main():
    ticker = asyncio.create_task(tick())
    checker = asyncio.create_task(check_existing("senjun.py"))
    done, pending = await asyncio.wait({ticker, checker}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


asyncio.run(main())
