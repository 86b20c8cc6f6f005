/**
 * The small dense network both learned forecasters use: features → correction(s) in log space,
 * trained with a volume-weighted absolute loss (WAPE is dominated by the busy intervals). Model
 * building, training and prediction are kept apart; every tensor is created inside tf.tidy or disposed.
 * A trained net is plain data (`NetArtifacts`): the tfjs topology and weights, JSON-serialisable, so it
 * can cross a worker-thread boundary and be written by the registry.
 */
import { tf } from './tf-backend';
import { seededRng } from './stats';
import { WfmError } from '../errors/wfm-error';

export interface NetArtifacts {
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** the weights as base64 (float32 little-endian) */
  weightDataBase64: string;
  /** feature standardisation learned on the training rows */
  featureMean: number[];
  featureStd: number[];
  inputSize: number;
  outputSize: number;
}

export interface NetTrainingOptions {
  epochs: number;
  batchSize: number;
  hiddenUnits: number[];
  learningRate: number;
  seed: number;
  /** fraction of rows held out for early stopping (the most recent rows) */
  validationShare: number;
  onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export const DEFAULT_NET_OPTIONS: NetTrainingOptions = { epochs: 12, batchSize: 512, hiddenUnits: [32, 16], learningRate: 0.003, seed: 7, validationShare: 0.15 };

export function buildNet(inputSize: number, outputSize: number, hiddenUnits: number[], seed: number): tf.LayersModel {
  const model = tf.sequential();
  hiddenUnits.forEach((units, i) =>
    model.add(tf.layers.dense({ units, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }), ...(i === 0 ? { inputShape: [inputSize] } : {}) })),
  );
  // Starts at zero correction: an untrained net leaves the base forecast unchanged.
  model.add(tf.layers.dense({ units: outputSize, kernelInitializer: 'zeros', biasInitializer: 'zeros' }));
  return model;
}

/** Mean over rows and outputs of weight × |prediction − target|; yTrue packs [targets…, weights…]. */
function weightedAbsoluteLoss(outputSize: number) {
  return (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const target = yTrue.slice([0, 0], [-1, outputSize]);
      const weight = yTrue.slice([0, outputSize], [-1, outputSize]);
      return tf.mean(tf.mul(weight, tf.abs(tf.sub(yPred, target))));
    });
}

/**
 * A feature's spread below this share of its size is rounding, not variation: the feature was constant
 * on the training rows (the trend of a history whose recent weeks are all in a gap, say), and its std is
 * 1. Taken at face value (1e-9), a forecast where it differs by a little fed the net inputs of 10⁷ σ and
 * corrected every interval to zero.
 */
const CONSTANT_FEATURE_STD = 1e-6;

function standardisation(rows: number[][], inputSize: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(inputSize).fill(0);
  const sq = new Array<number>(inputSize).fill(0);
  for (const r of rows) r.forEach((v, j) => { mean[j] += v; sq[j] += v * v; });
  const n = Math.max(1, rows.length);
  const m = mean.map((v) => v / n);
  // E[x²] − E[x]² of a constant feature is rounding noise of up to ~1e-8 × its size, not zero
  const std = sq.map((v, j) => {
    const sd = Math.sqrt(Math.max(v / n - m[j] * m[j], 0));
    return sd > CONSTANT_FEATURE_STD * Math.max(1, Math.abs(m[j])) ? sd : 1;
  });
  return { mean: m, std };
}

function toMatrix(rows: number[][], mean: number[], std: number[]): Float32Array {
  const width = mean.length;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => r.forEach((v, j) => (out[i * width + j] = (v - mean[j]) / std[j])));
  return out;
}

/**
 * Trains a net on rows of features, targets (outputSize per row) and weights (one per row).
 * Rows are in time order; the last `validationShare` serve for early stopping (best epoch kept).
 */
export async function trainNet(features: number[][], targets: number[][], weights: number[], options: NetTrainingOptions): Promise<NetArtifacts> {
  const inputSize = features[0].length;
  const outputSize = targets[0].length;
  const { mean, std } = standardisation(features, inputSize);
  const split = Math.max(1, Math.floor(features.length * (1 - options.validationShare)));
  const rng = seededRng(options.seed);
  const order = Array.from({ length: split }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const packTargets = (idx: number[]) => {
    const out = new Float32Array(idx.length * outputSize * 2);
    idx.forEach((r, i) => {
      for (let k = 0; k < outputSize; k++) {
        out[i * outputSize * 2 + k] = targets[r][k];
        out[i * outputSize * 2 + outputSize + k] = weights[r];
      }
    });
    return out;
  };
  const trainIdx = order;
  const validIdx = Array.from({ length: features.length - split }, (_, i) => split + i);
  const xTrain = tf.tensor2d(toMatrix(trainIdx.map((i) => features[i]), mean, std), [trainIdx.length, inputSize]);
  const yTrain = tf.tensor2d(packTargets(trainIdx), [trainIdx.length, outputSize * 2]);
  const xValid = validIdx.length ? tf.tensor2d(toMatrix(validIdx.map((i) => features[i]), mean, std), [validIdx.length, inputSize]) : null;
  const yValid = validIdx.length ? tf.tensor2d(packTargets(validIdx), [validIdx.length, outputSize * 2]) : null;
  const model = buildNet(inputSize, outputSize, options.hiddenUnits, options.seed);
  const optimizer = tf.train.adam(options.learningRate);
  const lossOf = weightedAbsoluteLoss(outputSize);
  // A hand-written loop: model.fit insists that targets have the output's shape, and ours carry weights.
  const batches = Math.ceil(trainIdx.length / options.batchSize);
  let best = Infinity;
  let bestWeights: tf.Tensor[] | null = null;
  try {
    // The untrained net (zero correction) is the first contender: when no epoch beats it on the
    // held-out rows, the net leaves the base forecast as it is rather than adding fitted noise.
    if (xValid && yValid) {
      const v = tf.tidy(() => lossOf(yValid, model.predict(xValid) as tf.Tensor));
      best = (await v.data())[0];
      v.dispose();
      bestWeights = model.getWeights().map((w) => w.clone());
    }
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      // The epoch's loss is summed on the backend and read once: a read per batch stalls the pipeline.
      let lossSum: tf.Scalar = tf.scalar(0);
      for (let b = 0; b < batches; b++) {
        const from = b * options.batchSize;
        const size = Math.min(options.batchSize, trainIdx.length - from);
        const cost = optimizer.minimize(() => {
          const xb = xTrain.slice([from, 0], [size, inputSize]);
          const yb = yTrain.slice([from, 0], [size, outputSize * 2]);
          return lossOf(yb, model.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar;
        }, true);
        if (cost) {
          const next = tf.add(lossSum, cost) as tf.Scalar;
          lossSum.dispose();
          cost.dispose();
          lossSum = next;
        }
      }
      const trainLoss = (await lossSum.data())[0] / batches;
      lossSum.dispose();
      let loss = trainLoss;
      if (xValid && yValid) {
        const v = tf.tidy(() => lossOf(yValid, model.predict(xValid) as tf.Tensor));
        loss = (await v.data())[0];
        v.dispose();
      }
      if (loss < best) {
        best = loss;
        bestWeights?.forEach((t) => t.dispose());
        bestWeights = model.getWeights().map((w) => w.clone());
      }
      options.onEpoch?.(epoch + 1, options.epochs, loss);
    }
    if (bestWeights) model.setWeights(bestWeights);
    return await exportNet(model, mean, std, inputSize, outputSize);
  } finally {
    bestWeights?.forEach((t) => t.dispose());
    [xTrain, yTrain, xValid, yValid].forEach((t) => t?.dispose());
    optimizer.dispose();
    model.dispose();
  }
}

async function exportNet(model: tf.LayersModel, featureMean: number[], featureStd: number[], inputSize: number, outputSize: number): Promise<NetArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }));
  const artifacts = saved as unknown as tf.io.ModelArtifacts;
  const weightData = artifacts.weightData as ArrayBuffer;
  return {
    modelTopology: artifacts.modelTopology as object,
    weightSpecs: artifacts.weightSpecs ?? [],
    weightDataBase64: Buffer.from(weightData).toString('base64'),
    featureMean,
    featureStd,
    inputSize,
    outputSize,
  };
}

/** A loaded net: call `predict` any number of times, then `dispose` once. */
export interface LoadedNet {
  predict(features: number[][]): number[][];
  dispose(): void;
}

export async function loadNet(artifacts: NetArtifacts): Promise<LoadedNet> {
  const bytes = Buffer.from(artifacts.weightDataBase64, 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, weightData }));
  return {
    predict(features: number[][]): number[][] {
      if (features.length === 0) return [];
      if (features[0].length !== artifacts.inputSize) {
        // A version trained by an older release of the forecaster: its features no longer line up.
        throw new WfmError('conflict', `this model was trained on ${artifacts.inputSize} features and the forecaster now computes ${features[0].length}: train the skill group again`);
      }
      const out = tf.tidy(() => {
        const x = tf.tensor2d(toMatrix(features, artifacts.featureMean, artifacts.featureStd), [features.length, artifacts.inputSize]);
        return (model.predict(x) as tf.Tensor).dataSync();
      });
      const rows: number[][] = [];
      for (let i = 0; i < features.length; i++) rows.push(Array.from(out.subarray(i * artifacts.outputSize, (i + 1) * artifacts.outputSize)));
      return rows;
    },
    dispose() {
      model.dispose();
    },
  };
}
