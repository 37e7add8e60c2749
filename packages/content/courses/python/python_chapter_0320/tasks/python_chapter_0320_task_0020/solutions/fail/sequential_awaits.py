# wrong: awaits sum("A") and then sum("B") as plain coroutines: no tasks, so they run one after the other (5 s)
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
    await sum("A", [1, 2])
    await sum("B", [1, 2, 3])


asyncio.run(main())
