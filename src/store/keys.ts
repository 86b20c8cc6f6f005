/** Every Redis key of one deployment starts with its prefix (tests use a fresh prefix each). */
export class Keys {
  constructor(readonly prefix: string) {}
  skillGroups = () => `${this.prefix}:skill-groups`;
  agents = () => `${this.prefix}:agents`;
  /** one hash per skill group and UTC month: field = interval start in epoch minutes */
  historyMonth = (skillGroupId: string, yyyymm: string) => `${this.prefix}:history:{${skillGroupId}}:${yyyymm}`;
  /** sorted set of the months that hold history for a skill group (score = yyyymm) */
  historyMonths = (skillGroupId: string) => `${this.prefix}:history:{${skillGroupId}}:months`;
}
