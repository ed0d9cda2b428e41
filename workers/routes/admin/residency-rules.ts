/**
 * @module routes/admin/residency-rules
 * `/_admin/zones/:zone/residency-rules[/:name]`: which content (path prefix, cache tag) is
 * pinned to which region, and how. The edge reads them through its config snapshot.
 */
import { residencyRuleSpecSchema } from '../../../schemas/api/config'
import { residencyRulesTable } from '../../../schemas/config/tables'
import { zoneRecordRoutes } from './zone-records'

export const residencyRuleRoutes = zoneRecordRoutes({
  collection: 'residency-rules',
  kind: 'residency rule',
  table: residencyRulesTable,
  schema: residencyRuleSpecSchema,
})
