/** Requests and answers of merging tickets (POST and DELETE /api/v1/requests/{id}/merge) and splitting them (POST .../split). */
import { z } from 'zod';
import { ticketId } from './schemas.ts';

export const mergeBody = z
  .object({
    into: ticketId.describe('The ticket to merge this one into: it gets this ticket\'s text and follow-ups'),
    across_customers: z
      .boolean({ error: 'must be true or false' })
      .default(false)
      .describe('true: merge even though the tickets are from different customers (refused otherwise)'),
  })
  .strict()
  .meta({ id: 'MergeRequest' });

export const mergeResult = z
  .object({
    merge_id: z.number().int(),
    source_id: z.number().int().describe('The ticket merged: now a pointer (merged_into_id) left out of lists and stats'),
    target_id: z.number().int(),
    messages_moved: z.number().int().describe("The source's own text and its follow-ups, now messages of the target"),
  })
  .meta({ id: 'MergeResult' });

export const splitBody = z
  .object({
    message_ids: z
      .array(ticketId, { error: 'must be a list of message ids' })
      .min(1, 'name at least one follow-up')
      .max(100, 'at most 100 messages at once')
      .describe("Follow-ups of the ticket (its messages' ids): the oldest becomes the new ticket's text, the rest its follow-ups"),
  })
  .strict()
  .meta({ id: 'SplitRequest' });

export const splitResult = z
  .object({ ticket_id: z.number().int().describe('The new ticket'), split_from: z.number().int(), messages: z.number().int() })
  .meta({ id: 'SplitResult' });

export const unmergeResult = z
  .object({ merge_id: z.number().int(), source_id: z.number().int(), target_id: z.number().int() })
  .meta({ id: 'UnmergeResult' });
