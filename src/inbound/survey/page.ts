/** The survey page's markup: the question with five buttons (one form each), and the answers after a choice. */
import { html, type SafeHtml } from '../../lib/html.ts';

const SCORES: [number, string][] = [[5, 'Very satisfied'], [4, 'Satisfied'], [3, 'Neutral'], [2, 'Unsatisfied'], [1, 'Very unsatisfied']];

function shell(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer"><title>${title}</title></head>
<body><main>${body}</main></body>
</html>`;
}

/** The question: nothing is recorded until one of the buttons is pressed (a POST of this page's own form). */
export function questionPage(ticketId: number, action: string): SafeHtml {
  return shell(
    'How did we do?',
    html`<h1>How did we do?</h1>
    <p>Your request #${ticketId} was resolved. How satisfied are you with how we handled it?</p>
    ${SCORES.map(([score, label]) => html`<form method="post" action="${action}"><input type="hidden" name="score" value="${score}"><button type="submit">${score} · ${label}</button></form>`)}
    <p><small>Only pressing a button records your answer.</small></p>`,
  );
}

export const thanksPage = () => shell('Thank you', html`<h1>Thank you!</h1><p>Your answer is recorded.</p>`);

export const closedPage = () =>
  shell('Survey closed', html`<h1>This survey is closed</h1><p>It was answered already, or its request was opened again. Thank you all the same.</p>`);
