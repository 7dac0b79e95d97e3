/**
 * Whether this process has begun to stop. From that moment readiness fails, so a load balancer
 * or Kubernetes sends no new work, while the work in flight is given its time to finish.
 */
export class Lifecycle {
  private since?: Date;

  get stopping(): boolean {
    return this.since !== undefined;
  }

  beginStopping(): void {
    this.since ??= new Date();
  }
}
