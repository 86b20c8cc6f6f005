import { bandFloorVariants, tradeBandFloors } from '../../src/roster/fairness';

// Band-first's whole-roster re-plan (fitBandsWholeRoster) tries these band floors. Totals as at 50 agents:
// full-timers work 8 to 10 shifts of 8.5 or 4 h, part-timers fewer.
const fullTime = [68, 71.5, 72, 76, 76.5, 80.5, 85];
const partTime = [41, 45.5, 46, 46.5, 50];

describe('bandFloorVariants (band-first, whole roster)', () => {
  it('when two classes are outside and the larger one on both sides, then its band moves towards most of its outsiders, first traded with the others, then alone', () => {
    // the 50-agent bench roster before the whole-roster re-plan: 3 full-timers at 76 and 1 at 85, 1 part-timer at 45.5
    const classes = [
      { floor: 76.5, possibleTotals: fullTime, outsideBelow: 3, outsideAbove: 1 },
      { floor: 46, possibleTotals: partTime, outsideBelow: 1, outsideAbove: 0 },
    ];
    expect(tradeBandFloors(classes)).toBeUndefined();
    expect(bandFloorVariants(classes)).toEqual([
      [80.5, 45.5],
      [80.5, 46],
    ]);
    expect(bandFloorVariants(classes, 1)).toEqual([[80.5, 45.5]]);
  });

  it('when the leading class is outside as often above as below, then both ways are tried, traded first', () => {
    const classes = [
      { floor: 76.5, possibleTotals: fullTime, outsideBelow: 2, outsideAbove: 2 },
      { floor: 46, possibleTotals: partTime, outsideBelow: 0, outsideAbove: 1 },
    ];
    expect(bandFloorVariants(classes, 4)).toEqual([
      [80.5, 45.5],
      [76, 46.5],
      [80.5, 46],
      [76, 46],
    ]);
  });

  it('when one class is outside on one side, then only tradeBandFloors; nobody outside, none; a move that changes nothing is left out', () => {
    const one = [
      { floor: 76.5, possibleTotals: fullTime, outsideBelow: 4, outsideAbove: 0 },
      { floor: 46, possibleTotals: partTime, outsideBelow: 0, outsideAbove: 0 },
    ];
    expect(bandFloorVariants(one)).toEqual([[80.5, 45.5]]);
    expect(bandFloorVariants([{ floor: 76.5, possibleTotals: fullTime, outsideBelow: 0, outsideAbove: 0 }])).toEqual([]);
    // at its highest total the leader cannot move up: the other class alone moves, and the bands as they stand are not re-tried
    expect(
      bandFloorVariants([
        { floor: 85, possibleTotals: fullTime, outsideBelow: 2, outsideAbove: 1 },
        { floor: 46, possibleTotals: partTime, outsideBelow: 1, outsideAbove: 0 },
      ]),
    ).toEqual([[85, 45.5]]);
  });
});
