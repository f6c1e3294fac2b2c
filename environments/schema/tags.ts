/** Cost-allocation tags: every resource carries them through the provider's default_tags. */
import { z } from 'zod';
import { MAX_TAG_VALUE } from '../aws-limits';

export const costTagsSchema = z
  .strictObject({
    /** Cost center billed for the environment. */
    CostCenter: z.string().min(1).meta({ description: `Cost center billed for the environment (tag CostCenter), 1–${MAX_TAG_VALUE} characters.` }),
    /** Team that owns the environment. */
    Team: z.string().min(1).meta({ description: `Team that owns the environment (tag Team), 1–${MAX_TAG_VALUE} characters.` }),
    /** Defaults to `project`. */
    Project: z.string().min(1).optional().meta({ description: 'Value of the Project tag; omitted, the project slug.' }),
  })
  .meta({ description: 'Cost-allocation tags, applied to every resource through provider default_tags, with Environment (the name) and ManagedBy.' });
