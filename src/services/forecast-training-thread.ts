/**
 * What the training worker thread runs: the core's trainForecaster with its per-epoch callback turned
 * into progress messages (a callback cannot cross the thread boundary).
 */
import { trainForecaster, type TrainForecasterInput, type TrainForecasterResult } from '../forecast';

export interface EpochProgress {
  epoch: number;
  epochs: number;
  loss: number;
}

export function train(input: Omit<TrainForecasterInput, 'onEpoch'>, report: (p: EpochProgress) => void): Promise<TrainForecasterResult> {
  return trainForecaster({ ...input, onEpoch: (epoch, epochs, loss) => report({ epoch, epochs, loss }) });
}
