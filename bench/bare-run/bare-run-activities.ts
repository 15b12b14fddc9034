/** The baseline's one activity (bare-run-workflow.ts): one HTTP POST, answered with its status. */
export interface BareRunActivities {
  bareCall(url: string): Promise<number>;
}

export const bareRunActivities: BareRunActivities = {
  async bareCall(url) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    });
    await response.text();
    return response.status;
  },
};
