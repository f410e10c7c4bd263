/**
 * Translates `GET /users/{userId}/presence_status` values into the webhook vocabulary, so the one
 * `zoom.presence_status` mapping table (README.md#presence-mapping) serves both backfill reads and webhook
 * events.
 *
 * The REST `status` enum differs from the webhook enum, and Zoom's own page disagrees with itself: the
 * schema lists `In_A_Zoom_Meeting`, `On_A_Call`, `Out_of_Office`, the prose lists `In_A_Meeting`,
 * `In_A_Call`, `In_A_Calendar_Event`, `Offline`, and the DND variant is spelled `Do_No_Disturb`
 * (https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}/presence_status). All of them
 * are handled; matching is case-insensitive like the mapping engine's.
 */

import { ownProperty } from '../../own-property';

/** REST value (lower-case) → webhook value. */
const REST_TO_WEBHOOK: Readonly<Record<string, string>> = {
  in_a_zoom_meeting: 'In_Meeting',
  in_a_meeting: 'In_Meeting',
  on_a_call: 'On_Phone_Call',
  in_a_call: 'On_Phone_Call',
  in_a_calendar_event: 'In_Calendar_Event',
  // Zoom's misspelling in the DND response variant.
  do_no_disturb: 'Do_Not_Disturb',
};

/**
 * Returns the webhook-vocabulary value for a REST `status`. Values with a webhook twin are translated;
 * everything else (shared values such as `Available`, `Away`, `Busy`, `Presenting`, `Offline`, and unknown
 * ones) passes through unchanged, so an unknown value still maps to skip downstream.
 *
 * `Out_of_Office` deliberately passes through rather than becoming `Away`: the webhook enum has no
 * out-of-office value to translate to, turning it into `Away` would invent a webhook value and lose the
 * "Out of office" wording of the Genesys message, and keeping it lets one mapping row
 * (`{"zoom":{"presence_status":{"Out_of_Office":"Away"}}}` in PRESENCE_MAPPING_FILE) cover REST reads and any
 * webhook that starts sending it. Under the default table it is skipped, like any value the table lacks.
 */
export function normalizeZoomRestStatus(status: string): string {
  const trimmed = status.trim();
  return ownProperty(REST_TO_WEBHOOK, trimmed.toLowerCase()) ?? trimmed;
}
