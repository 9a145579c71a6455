/**
 * A rejected message, as it goes to the dead-letter topic (original key, value and headers, plus headers
 * saying why and where from) and as a row of the `dead_letters` table (for counts per reason and model).
 */
import type { IHeaders, Message } from 'kafkajs'
import type { Rejection } from './reject-reasons.js'

export interface DeadLetter {
  rejection: Rejection
  topic: string
  partition: number
  offset: string
  key: Buffer | null
  value: Buffer | null
  headers: IHeaders
}

/** Headers added to the original ones; `x-modelwatch-` keeps them apart from the producer's own. */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-modelwatch-reason',
  detail: 'x-modelwatch-detail',
  topic: 'x-modelwatch-source-topic',
  partition: 'x-modelwatch-source-partition',
  offset: 'x-modelwatch-source-offset',
} as const

export function deadLetterMessage(letter: DeadLetter): Message {
  return {
    key: letter.key,
    value: letter.value,
    headers: {
      ...letter.headers,
      [DEAD_LETTER_HEADERS.reason]: letter.rejection.reason,
      [DEAD_LETTER_HEADERS.detail]: letter.rejection.detail,
      [DEAD_LETTER_HEADERS.topic]: letter.topic,
      [DEAD_LETTER_HEADERS.partition]: String(letter.partition),
      [DEAD_LETTER_HEADERS.offset]: letter.offset,
    },
  }
}

export interface DeadLetterRow {
  reason: string
  detail: string
  topic: string
  partition: number
  offset: string
  model: string
  size_bytes: number
  payload_preview: string
}

const PREVIEW_BYTES = 512

export function deadLetterRow(letter: DeadLetter): DeadLetterRow {
  return {
    reason: letter.rejection.reason,
    detail: letter.rejection.detail,
    topic: letter.topic,
    partition: letter.partition,
    offset: letter.offset,
    model: letter.rejection.model,
    size_bytes: letter.value?.length ?? 0,
    payload_preview: letter.value === null ? '' : letter.value.subarray(0, PREVIEW_BYTES).toString('utf8'),
  }
}
