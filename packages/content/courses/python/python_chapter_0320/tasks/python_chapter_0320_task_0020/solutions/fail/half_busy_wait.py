# wrong: half of each pause is a busy-wait loop without await, which blocks the event loop like time.sleep; the output and the ~3.5 s still look right (the old tests accepted it)
import asyncio
import time


async def sleep():
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        pass
    await asyncio.sleep(0.5)


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

