# wrong: runs A and then B one after the other and shortens the pauses to 0.6 s so the total still looks like 3 s (the old public tests, all the browser ran, accepted it)
import asyncio


async def sleep():
    await asyncio.sleep(0.6)


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
