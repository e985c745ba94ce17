import test from 'ava';
import { createGroupCommit } from '../../src/lib/group-commit.ts';

test('items arriving while a group is written are written together as the next group', async (t) => {
  const groups: number[][] = [];
  const submit = createGroupCommit<number, number>({
    maxGroupSize: 100,
    maxInFlight: 1,
    write: async (items) => {
      groups.push(items);
      await new Promise((r) => setTimeout(r, 20));
      return items.map((i) => i * 2);
    },
  });
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(i)));
  t.deepEqual(results, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  t.deepEqual(groups, [[0], [1, 2, 3, 4, 5, 6, 7, 8, 9]]);
});

test('a per-item Error rejects only that caller; a thrown write rejects its whole group', async (t) => {
  let call = 0;
  const submit = createGroupCommit<string, string>({
    maxGroupSize: 2,
    maxInFlight: 1,
    write: async (items) => {
      call++;
      if (call === 3) throw new Error('database gone');
      return items.map((i) => (i === 'bad' ? new Error(`refused ${i}`) : i.toUpperCase()));
    },
  });
  const settled = await Promise.allSettled(['a', 'bad', 'c', 'd', 'e'].map(submit));
  t.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected']);
  t.regex(String((settled[1] as PromiseRejectedResult).reason), /refused bad/);
  t.regex(String((settled[3] as PromiseRejectedResult).reason), /database gone/);
  t.regex(String((settled[4] as PromiseRejectedResult).reason), /database gone/);
});
