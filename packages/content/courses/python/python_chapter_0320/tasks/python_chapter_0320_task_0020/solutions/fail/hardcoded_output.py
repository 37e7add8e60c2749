# wrong: prints the expected lines as ready-made strings with pauses between them: nothing is computed and nothing runs concurrently (the old tests accepted it)
import asyncio


async def main():
    print("Task A: Computing 0+1")
    print("Task B: Computing 0+1")
    await asyncio.sleep(1)
    print("Task A: Computing 1+2")
    print("Task B: Computing 1+2")
    await asyncio.sleep(1)
    print("Task A: Sum = 3")
    print("Task B: Computing 3+3")
    await asyncio.sleep(1)
    print("Task B: Sum = 6")


asyncio.run(main())
