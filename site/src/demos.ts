// The four demos the lab page introduces: where each is mounted, the picture and the sentence that
// say what it is. The picture is the one each app's README shows.
import { fileURLToPath } from 'node:url';

export interface Demo {
  /** The app's package name, which is also where its page is mounted: /<app>/. */
  app: 'go-policy' | 'speech-cnn' | 'text-cnn' | 'cnn-explorer';
  title: string;
  sentence: string;
  /** The app's README picture. */
  picture: string;
}

const apps = fileURLToPath(new URL('../../apps/', import.meta.url));

export const DEMOS: readonly Demo[] = [
  {
    app: 'go-policy',
    title: 'Go policy network',
    sentence:
      'Play Go against a tree search guided by AlphaGo’s policy network, trained on professional games: see where the network would play, how sure it is, and the count at the end.',
    picture: `${apps}go-policy/docs/screenshot.png`,
  },
  {
    app: 'speech-cnn',
    title: 'Spoken digits',
    sentence:
      'Say a digit into the microphone (or upload a WAV): a CNN whose filters slide along the frequency axis of a spectrogram names it.',
    picture: `${apps}speech-cnn/docs/screenshot.png`,
  },
  {
    app: 'text-cnn',
    title: 'Sentence classification',
    sentence:
      'Type a sentence: Kim’s CNN labels it and shows the words of the n-grams that decided, as its max-over-time pooling picked them.',
    picture: `${apps}text-cnn/docs/screenshot.png`,
  },
  {
    app: 'cnn-explorer',
    title: 'What a CNN learns',
    sentence:
      'Draw a digit: watch each layer’s feature maps, the saliency and Grad-CAM maps behind the answer, and what each filter looks for.',
    picture: `${apps}cnn-explorer/docs/screenshot.png`,
  },
];
