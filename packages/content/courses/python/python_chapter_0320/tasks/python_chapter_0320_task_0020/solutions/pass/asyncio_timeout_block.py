# right: waits inside an asyncio.timeout(1) block for a future that never completes, then goes on
import asyncio


async def sleep():
    try:
        async with asyncio.timeout(1):
            await asyncio.get_running_loop().create_future()
    except TimeoutError:
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

