/**
 * When a group's scheduled actions fire, in their own time zones: the cost
 * estimate and the simulator both replay them from here.
 */
import { CronExpressionParser } from 'cron-parser';
import type { ScheduledAction } from './stack-model';

export interface ScheduleEvent {
  /** Epoch milliseconds. */
  at: number;
  action: ScheduledAction;
}

/**
 * Every firing in [from, to), in time order. The last firing before `from`
 * comes first (at its real time), because it decides the sizes a run starts with.
 */
export function scheduleEvents(actions: readonly ScheduledAction[], from: number, to: number): ScheduleEvent[] {
  const events: ScheduleEvent[] = [];
  let previous: ScheduleEvent | undefined;
  for (const action of actions) {
    if (action.recurrence) {
      const inWindow = CronExpressionParser.parse(action.recurrence, { currentDate: new Date(from - 1), endDate: new Date(to - 1), tz: action.timeZone });
      while (inWindow.hasNext()) events.push({ at: inWindow.next().getTime(), action });
      const before = CronExpressionParser.parse(action.recurrence, { currentDate: new Date(from), tz: action.timeZone });
      const last = before.prev().getTime();
      if (!previous || last > previous.at) previous = { at: last, action };
    } else if (action.startTime) {
      const at = Date.parse(action.startTime);
      if (at >= from && at < to) events.push({ at, action });
      else if (at < from && (!previous || at > previous.at)) previous = { at, action };
    }
  }
  events.sort((a, b) => a.at - b.at || a.action.name.localeCompare(b.action.name));
  return previous ? [previous, ...events] : events;
}

export interface Sizes {
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
}

/** What a scheduled action does to a group's sizes: AWS keeps min ≤ desired ≤ max. */
export function applyScheduledAction(sizes: Sizes, action: ScheduledAction): Sizes {
  const minSize = action.minSize ?? sizes.minSize;
  const maxSize = action.maxSize ?? sizes.maxSize;
  const desired = action.desiredCapacity ?? sizes.desiredCapacity;
  return { minSize, maxSize, desiredCapacity: Math.min(maxSize, Math.max(minSize, desired)) };
}
