# right: waits 1 s as a timeout: asyncio.wait_for on an event nobody sets, the TimeoutError caught
import asyncio


async def sleep():
    try:
        await asyncio.wait_for(asyncio.Event().wait(), timeout=1)
    except asyncio.TimeoutError:
        pass


async def sum(name, numbers):
    total = 0
    for number in numbers:
        print(f"Task {name}: Computing {total}+{number}")
        await sleep()
        total += number
    print(f"Task {name}: Sum = {total}")


async def main():
    tasks = [
        asyncio.create_task(sum("A", [1, 2])),
        asyncio.create_task(sum("B", [1, 2, 3])),
    ]
    await asyncio.gather(*tasks)


asyncio.run(main())

