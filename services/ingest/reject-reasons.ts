/**
 * Why an event was set aside. Each reason is a label on the dead-letter topic's `x-modelwatch-reason` header,
 * in the `dead_letters` table and in the `modelwatch_ingest_dead_letters_total` counter.
 */
export const REJECT_REASONS = {
  empty_message: 'the message has no value (tombstone or empty)',
  oversized: 'the message is larger than MODELWATCH_MAX_EVENT_BYTES',
  bad_magic_byte: 'neither the Confluent wire format (magic byte 0) nor a JSON object',
  unknown_schema_id: 'the schema id in the wire-format header is not in the registry (or no registry is configured)',
  unusable_schema: 'the registry has the writer schema but it cannot be used: it does not parse or compile, or its type (e.g. PROTOBUF) or references are not supported',
  decode_failed: 'the payload does not decode with its writer schema',
  invalid_json: 'the payload is not valid JSON',
  non_finite_number: 'a number is NaN or Infinity',
  missing_field: 'a required field is missing',
  wrong_type: 'a field has the wrong type',
  invalid_value: 'a field has the right type but an impossible value (e.g. a timestamp in seconds, an empty prediction)',
} as const

export type RejectReason = keyof typeof REJECT_REASONS

/** A message that cannot become an event, and why. Permanent: retrying it cannot help. */
export interface Rejection {
  reason: RejectReason
  detail: string
  /** The model named by the payload, when it could be read; lets data-quality views count rejects per model. */
  model: string
}
