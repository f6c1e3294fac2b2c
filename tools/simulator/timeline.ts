/** What one simulated minute looks like, as the report and the chart read it. */
export interface TimelinePoint {
  /** Minutes since the start of the simulation. */
  minute: number;
  /** Wall-clock time of the minute, ISO 8601 in UTC. */
  time: string;
  /** Offered load, requests per minute. */
  load: number;
  /** Capacity units the load needs to sit exactly at the CPU target. */
  demandUnits: number;
  /** On-demand capacity units running (pending or in service): what is billed. */
  onDemandUnits: number;
  /** Spot capacity units running (pending or in service): what is billed. */
  spotUnits: number;
  /** Average CPU of the in-service fleet, percent (may exceed 100 when overloaded). */
  cpu: number;
  /** Fleet cost rate at this minute, USD per hour. */
  costPerHour: number;
  /** Fleet cost since the start, USD. */
  cumulativeCost: number;
}

/** One simulated run as the chart draws it: compare mode passes several. */
export interface ChartSeries {
  /** Variant name, e.g. "as configured", "target-tracking-only". */
  label: string;
  points: TimelinePoint[];
}
