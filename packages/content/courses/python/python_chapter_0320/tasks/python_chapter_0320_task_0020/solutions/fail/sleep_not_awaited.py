# wrong: calls asyncio.sleep(1) without await: the coroutine is created and dropped, so there is no pause at all
import asyncio


async def sleep():
    asyncio.sleep(1)


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

