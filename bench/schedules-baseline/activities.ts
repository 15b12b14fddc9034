/** The one activity of the bare workflow (workflow.ts): it sleeps, as the measured jobnets' one job does. */
export async function bareActivity(seconds: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

export interface BareActivities {
  bareActivity(seconds: number): Promise<void>;
}
