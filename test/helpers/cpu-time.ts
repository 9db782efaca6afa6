// Time bounds of in-process work that guard against a hang or a blow-up, not a speed: counted
// in this process's CPU time (user + system), which a busy machine does not stretch the way it
// stretches wall time (several times, six-fold oversubscribed).

/** Milliseconds of CPU this process has used so far. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
