// An independent verifier of eddsa-rdfc-2022 Data Integrity proofs, built from Digital Bazaar's
// stack (jsonld, jsonld-signatures, @digitalbazaar/data-integrity, the eddsa-rdfc-2022
// cryptosuite, ed25519-multikey, did-method-key), the libraries most wallets and the W3C test
// suites' reference implementations use.
//
// usage: node verify.mjs [--proof-only] [--context URL=FILE ...] CREDENTIAL.json [DID_DOCUMENT.json ...]
//
// Same contract as verify.py: did:key resolved by did-method-key, did:web from the DID documents
// given (matched on `id`); the key must be listed under assertionMethod and (unless
// --proof-only) its controller must be the credential's issuer (vc's CredentialIssuancePurpose);
// every proof must verify. The proof is checked with jsonld-signatures directly, not
// vc.verifyCredential, so that no status list is fetched and no "now" enters the verdict.
// Contexts come from contexts/contexts.json and the --context files; any other URL is refused.
// Prints one JSON line {"verified": bool, "error": string|null, "proofs": number}; exits 0 only
// when verified.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import jsigs from 'jsonld-signatures';
import {CredentialIssuancePurpose} from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';

const {purposes: {AssertionProofPurpose}} = jsigs;
const HERE = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const options = {proofOnly: false, contexts: {}, files: []};
  for(let i = 0; i < argv.length; i++) {
    if(argv[i] === '--proof-only') {
      options.proofOnly = true;
    } else if(argv[i] === '--context') {
      const [url, ...path] = (argv[++i] ?? '').split('=');
      options.contexts[url] = path.join('=');
    } else {
      options.files.push(argv[i]);
    }
  }
  return options;
}

const readJson = path => JSON.parse(readFileSync(path, 'utf8'));

function localContexts(extra) {
  const dir = join(HERE, 'contexts');
  const documents = new Map();
  for(const [url, name] of Object.entries(readJson(join(dir, 'contexts.json')))) {
    documents.set(url, readJson(join(dir, name)));
  }
  for(const [url, path] of Object.entries(extra)) {
    documents.set(url, readJson(path));
  }
  return documents;
}

// A loader that knows the local contexts, did:key (computed) and the given did:web documents,
// and refuses everything else.
function strictLoader(contexts, didDocuments) {
  const keyDriver = didKey.driver();
  keyDriver.use({
    multibaseMultikeyHeader: 'z6Mk',
    fromMultibase: Ed25519Multikey.from
  });
  const byId = new Map(didDocuments.map(doc => [doc.id, doc]));
  return async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url))};
    }
    if(url.startsWith('did:key:')) {
      return {contextUrl: null, documentUrl: url, document: await keyDriver.get({url})};
    }
    if(url.startsWith('did:web:')) {
      const [did, fragment] = url.split('#');
      const doc = byId.get(did);
      if(!doc) {
        throw new Error(`no DID document given for ${did}`);
      }
      if(fragment === undefined) {
        return {contextUrl: null, documentUrl: url, document: structuredClone(doc)};
      }
      const method = (doc.verificationMethod ?? []).find(
        vm => vm.id === url || (did + vm.id) === url);
      if(!method) {
        throw new Error(`${url} is not among ${did}'s verification methods`);
      }
      return {
        contextUrl: null, documentUrl: url,
        document: {...structuredClone(method), id: url}
      };
    }
    throw new Error(`refused to load ${url}: not one of the local contexts or given DIDs`);
  };
}

function explain(error) {
  if(Array.isArray(error)) {
    return error.map(explain).join('; ');
  }
  if(!error) {
    return 'unknown error';
  }
  // jsonld-signatures wraps the reasons in a VerificationError's `errors`.
  if(Array.isArray(error.errors) && error.errors.length > 0) {
    return explain(error.errors);
  }
  const cause = error.cause ? ` <- ${explain(error.cause)}` : '';
  const details = error.details?.cause ? ` <- ${explain(error.details.cause)}` : '';
  return `${error.name ?? 'Error'}: ${error.message}${cause}${details}`;
}

async function verify(credential, didDocuments, contexts, proofOnly) {
  const proofs = credential.proof === undefined ? [] :
    Array.isArray(credential.proof) ? credential.proof : [credential.proof];
  if(proofs.length === 0) {
    throw new Error('the credential has no proof');
  }
  const result = await jsigs.verify(credential, {
    suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    purpose: proofOnly ? new AssertionProofPurpose() : new CredentialIssuancePurpose(),
    documentLoader: strictLoader(contexts, didDocuments)
  });
  // jsonld-signatures is satisfied by one verified proof; every proof must verify here.
  const results = result.results ?? [];
  const failed = results.filter(r => !r.verified);
  if(!result.verified || failed.length > 0) {
    throw new Error(explain(result.error ?? failed.map(r => r.error)));
  }
  if(results.length !== proofs.length) {
    throw new Error(`only ${results.length} of ${proofs.length} proofs are eddsa-rdfc-2022 assertion proofs`);
  }
  return proofs.length;
}

async function main(argv) {
  const {proofOnly, contexts, files} = parseArgs(argv);
  if(files.length === 0) {
    process.stderr.write('usage: node verify.mjs [--proof-only] [--context URL=FILE ...] CREDENTIAL.json [DID_DOCUMENT.json ...]\n');
    return 2;
  }
  const outcome = {verified: false, error: null, proofs: 0};
  try {
    const credential = readJson(files[0]);
    const didDocuments = files.slice(1).map(readJson);
    outcome.proofs = await verify(credential, didDocuments, localContexts(contexts), proofOnly);
    outcome.verified = true;
  } catch(error) {
    outcome.error = error.message ?? String(error);
  }
  process.stdout.write(JSON.stringify(outcome) + '\n');
  return outcome.verified ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
