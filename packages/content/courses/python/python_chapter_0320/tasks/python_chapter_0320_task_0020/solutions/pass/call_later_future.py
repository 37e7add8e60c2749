# right: the pause is a future that loop.call_later resolves after 1 s; main awaits the tasks one by one (they already run together)
import asyncio


async def sleep():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    loop.call_later(1, done.set_result, None)
    await done


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
    for task in tasks:
        await task


asyncio.run(main())
