import type { Block } from '@lms/content/schema';

/** Every block and inline kind of the schema, built by hand. */
export const allKindsBlocks: Block[] = [
  { kind: 'heading', level: 1, id: 'asyncio', children: [{ type: 'text', value: 'Asyncio' }] },
  {
    kind: 'paragraph',
    children: [
      { type: 'text', value: 'Plain, ' },
      { type: 'code', value: 'await x' },
      { type: 'text', value: ', ' },
      { type: 'strong', children: [{ type: 'text', value: 'bold' }] },
      { type: 'text', value: ', ' },
      { type: 'emphasis', children: [{ type: 'text', value: 'italic' }] },
      { type: 'text', value: ', ' },
      { type: 'delete', children: [{ type: 'text', value: 'gone' }] },
      { type: 'break' },
      {
        type: 'link',
        href: 'https://docs.python.org/3/library/asyncio.html',
        title: 'docs',
        children: [{ type: 'text', value: 'external' }],
        internal: null,
      },
      { type: 'text', value: ' and ' },
      {
        type: 'link',
        href: '/courses/python/chapters/python_chapter_0310#generators',
        title: null,
        children: [{ type: 'text', value: 'internal' }],
        internal: { course: 'python', chapter: 'python_chapter_0310', anchor: 'generators' },
      },
    ],
  },
  {
    kind: 'heading',
    level: 2,
    id: 'coroutines',
    children: [
      { type: 'text', value: 'Coroutines ' },
      { type: 'code', value: 'async def' },
    ],
  },
  {
    kind: 'list',
    ordered: false,
    start: null,
    items: [
      [{ kind: 'paragraph', children: [{ type: 'text', value: 'first item' }] }],
      [
        { kind: 'paragraph', children: [{ type: 'text', value: 'second item' }] },
        {
          kind: 'list',
          ordered: true,
          start: 3,
          items: [[{ kind: 'paragraph', children: [{ type: 'text', value: 'nested three' }] }]],
        },
      ],
    ],
  },
  { kind: 'code', lang: 'python', code: 'print("static")' },
  { kind: 'code', lang: null, code: 'plain text block' },
  { kind: 'example', exampleId: 'python_chapter_0320_example_01' },
  {
    kind: 'heading',
    level: 3,
    id: 'event-loop',
    children: [{ type: 'text', value: 'Event loop' }],
  },
  {
    kind: 'illustration',
    children: [
      { type: 'image', src: 'img/loop.svg', alt: 'Event loop diagram', title: 'The loop' },
    ],
  },
  {
    kind: 'blockquote',
    children: [{ kind: 'paragraph', children: [{ type: 'text', value: 'quoted wisdom' }] }],
  },
  {
    kind: 'table',
    align: ['left', 'right'],
    header: [[{ type: 'text', value: 'Name' }], [{ type: 'text', value: 'Value' }]],
    rows: [
      [[{ type: 'text', value: 'a' }], [{ type: 'code', value: '1' }]],
      [[{ type: 'text', value: 'b' }], [{ type: 'text', value: '2' }]],
    ],
  },
  { kind: 'thematicBreak' },
  { kind: 'heading', level: 4, id: 'deep', children: [{ type: 'text', value: 'Deep heading' }] },
  { kind: 'task', taskId: 'python_chapter_0320_task_0010' },
  { kind: 'example', exampleId: 'python_chapter_0320_example_02' },
];
