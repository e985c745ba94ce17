/** The scripted classifier (test/slack/harness.ts), except that texts with "hold-me" wait until released; it records every text it got. */
import type { Classifier } from '../../src/domain/classification.ts';
import { scriptedClassifier } from '../slack/harness.ts';

export function heldClassifier() {
  const inner = scriptedClassifier();
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const seen: string[] = [];
  const classifier: Classifier = {
    name: 'held',
    async classify(input) {
      seen.push(input.body);
      if (input.body.includes('hold-me')) await released;
      return inner.classify(input);
    },
  };
  return { classifier, seen, release };
}
