/** Cost-allocation and free-form tags: every resource carries them through the provider's default_tags. */
import { z } from 'zod';
import { MAX_TAG_KEY, MAX_TAG_VALUE, tagKeyProblem, tagValueProblem } from '../aws-limits';

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

/**
 * Tag keys the stacks set themselves: the cost tags and Environment/ManagedBy
 * (every resource), Role (the standby's), Name (each resource's own). Compared
 * case-insensitively: IAM, for one, treats `team` and `Team` as the same key.
 */
export const RESERVED_TAG_KEYS = ['Environment', 'ManagedBy', 'Project', 'CostCenter', 'Team', 'Role', 'Name'] as const;
/** AWS allows 50 tags per resource. */
export const MAX_TAGS_PER_RESOURCE = 50;
/** Keys a module may set on some resources beyond the reserved ones (the network's subnets carry `Tier`). */
const MODULE_TAG_KEYS = ['Tier'] as const;
/** Free-form tags that fit beside every key the stacks may set on one resource. */
export const MAX_FREE_FORM_TAGS = MAX_TAGS_PER_RESOURCE - RESERVED_TAG_KEYS.length - MODULE_TAG_KEYS.length;

/** Free-form tags beside the cost tags, through the providers' default_tags. */
export const tagsSchema = z
  .record(z.string(), z.string())
  .default({})
  .superRefine((tags, ctx) => {
    const keys = Object.keys(tags);
    if (keys.length > MAX_FREE_FORM_TAGS) {
      ctx.addIssue({
        code: 'custom',
        message: `has ${keys.length} tags; at most ${MAX_FREE_FORM_TAGS} fit beside the ${MAX_TAGS_PER_RESOURCE - MAX_FREE_FORM_TAGS} the stacks set (${[...RESERVED_TAG_KEYS, ...MODULE_TAG_KEYS].join(', ')}) in AWS's ${MAX_TAGS_PER_RESOURCE} per resource`,
      });
    }
    const seen = new Map<string, string>(RESERVED_TAG_KEYS.map((key) => [key.toLowerCase(), key]));
    for (const key of keys) {
      const problem = tagKeyProblem(key) ?? tagValueProblem(key, tags[key]!);
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
      const clash = seen.get(key.toLowerCase());
      if (clash && (RESERVED_TAG_KEYS as readonly string[]).includes(clash)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is the stacks' own ${clash} tag (tag keys compare case-insensitively); set it through its own field or pick another key` });
      } else if (clash) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" repeats tag "${clash}" (tag keys compare case-insensitively, as IAM does)` });
      }
      seen.set(key.toLowerCase(), clash ?? key);
    }
  })
  .meta({
    description: `Free-form tags added to every resource through provider default_tags, beside the cost tags; e.g. \`{ DataClassification: 'internal' }\`. Keys 1–${MAX_TAG_KEY} and values 0–${MAX_TAG_VALUE} characters of letters, digits, spaces and \`_.:/=+-@\`, no \`aws:\` prefix, at most ${MAX_FREE_FORM_TAGS}; none of ${RESERVED_TAG_KEYS.join(', ')} (case-insensitively), which the stacks set. Default none.`,
  });
