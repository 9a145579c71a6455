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

/**
 * Bytes of dead letters sent in one produce request. Brokers refuse a record batch over `message.max.bytes`
 * (1 MB by default) and kafkajs puts a request's messages for one partition in one batch: a batch of many
 * poison messages of up to MODELWATCH_MAX_EVENT_BYTES each went over it, was refused, and stalled ingest.
 */
export const DEAD_LETTER_REQUEST_BYTES = 512 * 1024

/**
 * The letters in order, cut into produce requests of at most `maxBytes` of keys and values each (a letter
 * larger than that goes alone).
 *
 * @example
 * for (const request of deadLetterRequests(batch.deadLetters)) await producer.send({ topic, messages: request.map(deadLetterMessage) })
 */
export function deadLetterRequests(letters: DeadLetter[], maxBytes = DEAD_LETTER_REQUEST_BYTES): DeadLetter[][] {
  const requests: DeadLetter[][] = []
  let current: DeadLetter[] = []
  let bytes = 0
  for (const letter of letters) {
    const size = messageBytes(deadLetterMessage(letter))
    if (current.length > 0 && bytes + size > maxBytes) {
      requests.push(current)
      current = []
      bytes = 0
    }
    current.push(letter)
    bytes += size
  }
  if (current.length > 0) requests.push(current)
  return requests
}

/** A message's key, value and header bytes: what it adds to a record batch, give or take a few bytes of framing. */
function messageBytes(message: Message): number {
  const length = (v: Buffer | string | null | undefined): number => (v === null || v === undefined ? 0 : Buffer.byteLength(v))
  let bytes = length(message.key) + length(message.value) + 64
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name) + (Array.isArray(value) ? value.reduce((sum: number, v) => sum + length(v), 0) : length(value))
  }
  return bytes
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
