/**
 * Payload templates (Parameters, ResultSelector): a key ending in `.$`
 * takes its value from a path into the state's data, from `$$` (the
 * context object) or from an intrinsic function; other keys are copied.
 * Objects are processed at every depth, inside arrays too.
 */
import { runtimeError } from './errors';
import { evaluateIntrinsic, isIntrinsic } from './intrinsics';
import { isObject, type Json, type JsonObject } from './json';
import { readPath } from './json-path';

export function applyTemplate(template: Json, data: Json, context: Json, where: string): Json {
  if (Array.isArray(template)) return template.map((item) => applyTemplate(item, data, context, where));
  if (!isObject(template)) return template;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') throw runtimeError(`${where}: the value of ${key} must be a path or an intrinsic function`);
      out[key.slice(0, -2)] = isIntrinsic(value) ? evaluateIntrinsic(value, data, context, where) : readPath(data, context, value, `${where} (${key})`);
    } else {
      out[key] = applyTemplate(value, data, context, where);
    }
  }
  return out;
}
