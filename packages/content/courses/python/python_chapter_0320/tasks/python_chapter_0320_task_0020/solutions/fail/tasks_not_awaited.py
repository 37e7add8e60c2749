# wrong: creates the two tasks but main does not wait for them: asyncio.run cancels them after their first line
import asyncio


async def sleep():
    await asyncio.sleep(1)


async def sum(name, numbers):
    total = 0
    for number in numbers:
        print(f"Task {name}: Computing {total}+{number}")
        await sleep()
        total += number
    print(f"Task {name}: Sum = {total}")


async def main():
    asyncio.create_task(sum("A", [1, 2]))
    asyncio.create_task(sum("B", [1, 2, 3]))
    await asyncio.sleep(0)


asyncio.run(main())
