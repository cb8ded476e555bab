// The models a page offers, by name: loaded on first use and kept. Names and descriptions only ever leave the
// server; the folders stay on it.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { initBackend, isShippedModelDir } from '@cnn-lab/core';
import { APP_DIR } from '../app.js';
import { benchmarkByName } from '../data/index.js';
import { Explainer } from '../explain/explainer.js';
import { loadTextModel, type TextModel } from '../model/load.js';

/** A model folder offered under a name. */
export interface ModelChoice {
  name: string;
  dir: string;
  /** The flag the user named it with (--model-dir), for messages in the terminal. */
  flag?: string;
}

export interface LoadedModel extends TextModel {
  name: string;
  explainer: Explainer;
}

/** What the page is told about a model: nothing about where it lies. */
export interface ModelInfo {
  name: string;
  /** The set it was trained on ("MR"), or "own data" for a model trained on a user's file. */
  set: string;
  /** What the set is, for people ("movie reviews, positive/negative (10-fold CV)"). */
  description: string;
  classes: string[];
  testAccuracy: number | null;
  vocabulary: number;
}

/** The shipped models: every folder under the app's models/ holding a model.json, `default` first. */
export function shippedModels(appDir: string = APP_DIR): ModelChoice[] {
  const root = join(appDir, 'models');
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'model.json')))
      .map((d) => d.name);
  } catch {
    return [];
  }
  names.sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  return names.map((name) => ({ name, dir: join(root, name) }));
}

/** `dir` under a name of its own: its folder name, or name-2, name-3, ... when another model has that name. */
export function withModel(choices: readonly ModelChoice[], dir: string, flag = '--model-dir'): ModelChoice[] {
  const taken = new Set(choices.map((c) => c.name));
  const base = basename(dir) || 'model';
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}-${k}`;
  return [{ name, dir, flag }, ...choices];
}

/** A model that is offered but will not load: the details (which name a path) go to the server's log only. */
export class ModelUnavailable extends Error {
  override name = 'ModelUnavailable';
  statusCode = 503;
  /** What went wrong, naming files: for the terminal and the log, never for the page. */
  readonly detail: string;
  constructor(
    model: string,
    readonly original: unknown,
  ) {
    super(`model '${model}' cannot be loaded on this server`);
    this.detail = original instanceof Error ? original.message : String(original);
  }
}

export class ModelShelf {
  private readonly loading = new Map<string, Promise<LoadedModel>>();

  constructor(readonly choices: readonly ModelChoice[]) {
    if (choices.length === 0) throw new Error('no model to offer (no folder under models/ holds a model.json)');
  }

  get names(): string[] {
    return this.choices.map((c) => c.name);
  }

  get defaultName(): string {
    return (this.choices[0] as ModelChoice).name;
  }

  has(name: string): boolean {
    return this.choices.some((c) => c.name === name);
  }

  /** The model named `name`, loaded once (concurrent callers share the load; a failed load is tried again later). */
  get(name: string): Promise<LoadedModel> {
    const choice = this.choices.find((c) => c.name === name);
    if (!choice) throw new Error(`no model named '${name}'`);
    let p = this.loading.get(name);
    if (!p) {
      p = load(choice).catch((err: unknown) => {
        this.loading.delete(name);
        throw new ModelUnavailable(name, err);
      });
      this.loading.set(name, p);
    }
    return p;
  }

  async info(name: string): Promise<ModelInfo> {
    const m = await this.get(name);
    const set = m.metadata.split?.set;
    return {
      name,
      set: set ?? 'own data',
      description: (set && benchmarkByName(set)?.description) ?? 'a model trained on a file of labelled sentences',
      classes: m.classNames,
      testAccuracy: m.metadata.testAccuracy ?? null,
      vocabulary: m.vocab.size,
    };
  }

  /** Frees every loaded model's tensors. */
  async dispose(): Promise<void> {
    for (const p of this.loading.values()) {
      try {
        (await p).model.dispose();
      } catch {
        // never loaded: nothing to free
      }
    }
    this.loading.clear();
  }
}

async function load(choice: ModelChoice): Promise<LoadedModel> {
  // Idempotent: a server started by `start` already has its backend; a site that mounts the routes may not.
  await initBackend({ quiet: true });
  const loaded = await loadTextModel(
    choice.flag !== undefined
      ? { dir: choice.dir, named: true, flag: choice.flag, shipped: isShippedModelDir(choice.dir) }
      : choice.dir,
  );
  const explainer = new Explainer(loaded.model, loaded.vocab, loaded.classNames);
  // tfjs sets each kernel up on its first call: pay that here rather than in the first answer.
  explainer.explain(['warm', 'up']);
  return { ...loaded, name: choice.name, explainer };
}
