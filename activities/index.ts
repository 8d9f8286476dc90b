/**
 * Temporal activities, built from their dependencies so that the embedded runner and the Temporal
 * worker call the very same functions.
 */
export interface ActivityDeps {
  /** Where the activity runs, reported back by the smoke workflow. */
  hostname: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    /** Answers a greeting: proves a workflow can reach an activity on this worker. */
    async greet(name: string): Promise<string> {
      return `hello, ${name}, from ${deps.hostname}`;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
