# right: sleep() is a plain function that returns the asyncio.sleep(1) awaitable; main runs both in a TaskGroup
import asyncio


def sleep():
    return asyncio.sleep(1)


async def sum(name, numbers):
    total = 0
    for number in numbers:
        print(f"Task {name}: Computing {total}+{number}")
        await sleep()
        total += number
    print(f"Task {name}: Sum = {total}")


async def main():
    async with asyncio.TaskGroup() as group:
        group.create_task(sum("A", [1, 2]))
        group.create_task(sum("B", [1, 2, 3]))


asyncio.run(main())
