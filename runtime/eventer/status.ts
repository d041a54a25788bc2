/** Server status as hat-event ≥ 0.9.16 defines it (SBS choice indices 0..3 in this order). */
export type Status = 'standby' | 'starting' | 'operational' | 'stopping';

export const STATUSES: readonly Status[] = ['standby', 'starting', 'operational', 'stopping'];
