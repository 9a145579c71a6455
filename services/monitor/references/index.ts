/**
 * Reference data per model version: uploaded files, fixed past windows of production data, and rolling
 * references. Versioned by content hash, stored once, never silently replaced.
 */
export { uploadReference, type UploadOptions, type UploadResult } from './upload.js'
export { defineWindowReference, type WindowReferenceOptions } from './window-reference.js'
export { defineRollingReference, type RollingReferenceOptions } from './rolling-reference.js'
export { listReferences, referenceKind, type ListedReference, type ReferenceSet } from './reference-sets.js'
export { describeDefinition, type ReferenceDefinition, type ReferenceKindName } from './reference-kind.js'
export type { ReferenceResult } from './store-reference.js'
export { currentAssignments, versionReferences, type CurrentAssignment } from './assign.js'
export { parseInstant } from './window-definition.js'
