# right: the checker cancels the ticker itself; main gathers both (the cancelled ticker is returned, not raised); waits via call_later futures
import asyncio
import os.path
from threading import Timer


def create_file(name):
    with open(name, "w") as f:
        pass


t = Timer(2.0, create_file, ["senjun.py"])
t.start()


def pause(seconds):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    loop.call_later(seconds, lambda: done.done() or done.set_result(None))
    return done


async def check_existing(path, ticker):
    while not os.path.exists(path):
        await pause(0.05)
    print("exists!")
    ticker.cancel()


async def tick():
    while True:
        print("tick")
        await pause(1)


async def main():
    ticker = asyncio.create_task(tick())
    checker = asyncio.create_task(check_existing("senjun.py", ticker))
    await asyncio.gather(ticker, checker, return_exceptions=True)


asyncio.run(main())
