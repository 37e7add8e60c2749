# right: no helper: sum awaits asyncio.sleep(1) itself, and main hands the two coroutines straight to gather
import asyncio


async def sum(name, numbers):
    total = 0
    for number in numbers:
        print(f"Task {name}: Computing {total}+{number}")
        await asyncio.sleep(1)
        total += number
    print(f"Task {name}: Sum = {total}")


async def main():
    await asyncio.gather(sum("A", [1, 2]), sum("B", [1, 2, 3]))


asyncio.run(main())
