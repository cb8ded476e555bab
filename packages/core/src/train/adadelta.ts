import * as tf from '@tensorflow/tfjs';

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/**
 * Adadelta as Zeiler (2012) defines it (and Kim's code runs it): the step divides by the RMS of the
 * gradients *including* the current one. tfjs 4.22's AdadeltaOptimizer divides by the previous
 * accumulator, so its first step is plain SGD at the learning rate (1.0 for Adadelta), which throws a
 * fresh net into dead ReLUs and a saturated softmax at once. Same state names as tfjs's, so checkpoints
 * save and load it.
 */
export class ZeilerAdadelta extends tf.AdadeltaOptimizer {
  override applyGradients(variableGradients: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>): void {
    const self = this as unknown as {
      accumulatedGrads: Slot[];
      accumulatedUpdates: Slot[];
      rho: number;
      epsilon: number;
      learningRate: number;
    };
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      if (!value) throw new Error(`Adadelta: no variable named ${name}`);
      self.accumulatedGrads[i] ??= {
        originalName: `${name}/accum_grad`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      self.accumulatedUpdates[i] ??= {
        originalName: `${name}/accum_var`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      const gradient = Array.isArray(variableGradients) ? variableGradients[i]?.tensor : variableGradients[name];
      if (!gradient) return;
      const accGrad = (self.accumulatedGrads[i] as Slot).variable;
      const accUpdate = (self.accumulatedUpdates[i] as Slot).variable;
      const { rho, epsilon, learningRate } = self;
      tf.tidy(() => {
        // E[g^2]_t = rho E[g^2]_{t-1} + (1 - rho) g_t^2
        const newAccGrad = tf.add(tf.mul(accGrad, rho), tf.mul(tf.square(gradient), 1 - rho));
        // dx_t = -(RMS[dx]_{t-1} / RMS[g]_t) g_t
        const update = tf.mul(
          tf.div(tf.sqrt(tf.add(accUpdate, epsilon)), tf.sqrt(tf.add(newAccGrad, epsilon))),
          gradient,
        );
        accUpdate.assign(tf.add(tf.mul(accUpdate, rho), tf.mul(tf.square(update), 1 - rho)));
        accGrad.assign(newAccGrad);
        value.assign(tf.sub(value, tf.mul(update, learningRate)));
      });
    });
    this.incrementIterations();
  }
}
