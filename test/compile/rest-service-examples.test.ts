/**
 * R-REST-8: every one of the 16 REST service examples of the WOI user's guide (8.3.1.1–8.3.1.16)
 * is expressible in the jobnet/v1 format without loss. The fixture
 * test/fixtures/valid/rest-services/ holds one jobnet per example; it must validate through the
 * same function as `jobnet validate`, compile, and the compiled REST job must carry every
 * parameter the WOI user guide's connection info and bodies give — checked by substituting the compiled
 * job-definition variables (the run-time substitution of R-VAR-4) and comparing with the WOI user guide's
 * values, so a compile step that dropped or altered anything fails here.
 *
 * The expected values below are the WOI user guide's, in jobnet/v1 field names (`authName` → `credential`,
 * the three bodies → `request.body` / `monitoring.body` / `termination.body`), with the compile
 * step's defaults where the WOI user guide relies on them (`firstMonitorInterval` 10). Where the fixture
 * deliberately departs from the printed example (a defect of the guide), the line says so; the
 * fixture file explains each correction in its header comment.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAllJobnets } from '../../controller/compile/compile-jobnet.js';
import type { Diagnostic } from '../../controller/definitions/diagnostics.js';
import { validateRepository, type ValidatedRepository } from '../../controller/definitions/validate-repository.js';
import { compiledJobnetProblems, type CompiledJob, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import type { RestCallSpec, RestMonitoringSpec, RestRequestSpec, RestSpec } from '../../workflows/lib/job-specs.js';
import { substituteInValue } from '../../workflows/lib/variable-references.js';

const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'valid', 'rest-services');

/** What the WOI user guide's connection info of one REST job says, in compiled form with variables substituted. */
interface SeedCall {
  request: RestRequestSpec;
  monitoring?: RestMonitoringSpec;
  termination?: RestCallSpec;
}

/** The credential (WOI `authName`) a WOI user guide example needs: its name as printed, and how it authenticates. */
interface SeedCredential {
  name: string;
  type: 'awssigv4' | 'azuread' | 'others';
  /** awssigv4: the signing service; azuread: the `resource` or `scope`. */
  audience?: string;
}

interface SeedExample {
  /** WOI section. */
  section: string;
  jobnet: string;
  job: string;
  credential: SeedCredential;
  call: SeedCall;
}

// ---------------------------------------------------------------------------------------------
// The WOI user guide's values.

const awsBatch = 'https://batch.ap-northeast-1.amazonaws.com/v1';
const stepFunctionsStage = 'https://a1b2c3d4e5.execute-api.ap-northeast-1.amazonaws.com/step-functions-stage';
const s3FunctionUrl = 'https://3abcdef7argst12345xs66kja0nmvss.lambda-url.ap-northeast-1.on.aws/';
const awsBackupJobs = 'https://backup.ap-northeast-1.amazonaws.com/backup-jobs/';
const azureBatchJob = 'https://testbatch112233.japaneast.batch.azure.com/jobs/testJob';
const armSubscription = 'https://management.azure.com/subscriptions/12345678-1234-1234-1234-123456789abc';
const logicAppRuns = `${armSubscription}/resourceGroups/testLogicApps/providers/Microsoft.Logic/workflows/testlogicapps/runs`;
const sqlManagedInstance = `${armSubscription}/resourceGroups/test_group/providers/Microsoft.Sql/managedInstances/rs-sqlmi`;
const virtualMachine = `${armSubscription}/resourceGroups/test-group/providers/Microsoft.Compute/virtualMachines/vm-test`;
const aksCluster = `${armSubscription}/resourcegroups/test-group/providers/Microsoft.ContainerService/managedClusters/testcluster`;
const armScope = 'https://management.azure.com/.default';

/** Poll settings every example uses: 5 polls a minute apart, the first after the default 10 s. */
const fivePolls = { pollingInterval: 60, pollingCount: 5, firstMonitorInterval: 10 } as const;

/** A Query-API call of AWS (RDS, EC2, Auto Scaling): parameters in the query, no body, XML response. */
function awsQueryPair(
  host: string,
  action: Record<string, string>,
  describe: Record<string, string>,
  key: string,
  endVal: string[],
  checkVal: string[],
): SeedCall {
  return {
    request: { url: `https://${host}/`, method: 'POST', query: action, timeout: 60 },
    monitoring: {
      url: `https://${host}/`,
      method: 'GET',
      query: describe,
      ...fivePolls,
      pollingEndKey: key,
      pollingEndVal: endVal,
      checkResultKey: key,
      checkResultVal: checkVal,
    },
  };
}

/** An ARM long-running operation polled through the resource (SQL MI, VMs, AKS). */
function armOperation(
  operationUrl: string,
  pollUrl: string,
  apiVersion: string,
  key: string,
  endVal: string[],
  checkVal: string[],
  termination?: string,
): SeedCall {
  const query = { 'api-version': apiVersion };
  const call: SeedCall = {
    request: { url: operationUrl, method: 'POST', query, timeout: 60 },
    monitoring: {
      url: pollUrl,
      method: 'GET',
      query,
      ...fivePolls,
      pollingEndKey: key,
      pollingEndVal: endVal,
      checkResultKey: key,
      checkResultVal: checkVal,
    },
  };
  if (termination !== undefined) call.termination = { url: termination, method: 'POST', query };
  return call;
}

/** The file-wait function examples (S3 via Lambda, Blob via Azure Functions): one body for request and polls. */
function fileWait(url: string, body: Record<string, string>, header?: Record<string, string>): SeedCall {
  const headers = header === undefined ? {} : { header };
  return {
    request: { url, method: 'POST', ...headers, body, timeout: 60 },
    monitoring: {
      url,
      method: 'POST',
      ...headers,
      body,
      ...fivePolls,
      pollingEndKey: 'result',
      pollingEndVal: ['SUCCEEDED'],
      checkResultKey: 'result',
      checkResultVal: ['SUCCEEDED'],
    },
  };
}

/** The update variant of the file waits: the first state and date are taken over into every poll. */
function fileUpdateWait(url: string, target: Record<string, string>, header?: Record<string, string>): SeedCall {
  const headers = header === undefined ? {} : { header };
  return {
    request: {
      url,
      method: 'POST',
      ...headers,
      body: { ...target, option: 'update', activity: 'request' },
      timeout: 60,
      takeoverKeys: { firstState: 'status', firstUpdateDate: 'updateDate' },
    },
    monitoring: {
      url,
      method: 'POST',
      ...headers,
      body: {
        ...target,
        reqStatus: '<firstState>',
        reqUpdateDate: '<firstUpdateDate>',
        option: 'update',
        activity: 'monitoring',
      },
      ...fivePolls,
      pollingEndKey: 'result',
      pollingEndVal: ['SUCCEEDED'],
      checkResultKey: 'result',
      checkResultVal: ['SUCCEEDED'],
    },
  };
}

const s3File = { bucketName: 'test-bucket1', fileName: 'test1.txt' };
/** Not in the WOI user guide: the sample Lambda base64-decodes every body, so the body is declared binary (the WOI user guide does not say which Content-Type the example sends). */
const binaryBody = { 'Content-Type': 'application/octet-stream' };
const blobFile = {
  storageAccountName: 'test-storage-account1',
  containerName: 'test-container1',
  fileName: 'test1.txt',
};
const backupTarget = {
  subscriptionId: '12345678-1234-1234-1234-123456789abc',
  resourceGroupName: 'test-grp1',
  containerName: 'test-container1',
};

const rdsStatus = 'DescribeDBInstancesResponse.DescribeDBInstancesResult.DBInstances.DBInstance.DBInstanceStatus';
const rdsDescribe = { DBInstanceIdentifier: 'rs-rds-database-1', Action: 'DescribeDBInstances', Version: '2014-10-31' };
const ec2State = 'DescribeInstancesResponse.reservationSet.item.instancesSet.item.instanceState.name';
const ec2Describe = { Action: 'DescribeInstances', 'InstanceId.1': 'i-1234567890abcdef0', Version: '2016-11-15' };
const asgStatus = 'DescribeScalingActivitiesResponse.DescribeScalingActivitiesResult.Activities.member.StatusCode';
const asgDescribe = {
  Action: 'DescribeScalingActivities',
  AutoScalingGroupName: 'AutoScalingGrp1',
  MaxRecords: '1',
  Version: '2011-01-01',
};
const asgUpdate = (min: string, max: string, desired: string) => ({
  Action: 'UpdateAutoScalingGroup',
  AutoScalingGroupName: 'AutoScalingGrp1',
  MinSize: min,
  MaxSize: max,
  DesiredCapacity: desired,
  Version: '2011-01-01',
});
/** The WOI user guide's list plus "Canceled", ARM's spelling (the printed "Cancelled" never matches). */
const sqlMiFinal = ['Succeeded', 'Failed', 'Cancelled', 'Canceled', 'Deleted', 'TimedOut'];
const vmFinal = ['Provisioning succeeded', 'Provisioning failed'];

const seedExamples: SeedExample[] = [
  {
    section: '8.3.1.1',
    jobnet: 'aws-batch',
    job: 'submit-job',
    credential: { name: 'Aws_Batch', type: 'awssigv4', audience: 'batch' },
    call: {
      request: {
        url: `${awsBatch}/submitjob`,
        method: 'POST',
        body: { jobName: 'testjob1', jobQueue: 'testjob-queue', jobDefinition: 'testjob-def1' },
        timeout: 60,
        takeoverKeys: { JOBID: 'jobId' },
      },
      monitoring: {
        url: `${awsBatch}/describejobs`,
        method: 'POST',
        body: { jobs: ['<JOBID>'] },
        ...fivePolls,
        pollingEndKey: 'jobs.[?"jobId"=="<JOBID>"].status',
        pollingEndVal: ['SUCCEEDED', 'FAILED'],
        checkResultKey: 'jobs.[?"jobId"=="<JOBID>"].status',
        checkResultVal: ['SUCCEEDED'],
      },
      termination: {
        url: `${awsBatch}/terminatejob`,
        method: 'POST',
        body: { reason: 'Terminating job.', jobId: '<JOBID>' },
      },
    },
  },
  {
    section: '8.3.1.2',
    jobnet: 'aws-lambda',
    job: 'invoke-function',
    credential: { name: 'Aws_Lambda', type: 'awssigv4', audience: 'lambda' },
    call: {
      request: {
        // The guide's placeholder 関数名 ("function name") is LAMBDA_FUNCTION; resHeader/resBody have no equivalent.
        url: 'https://lambda.ap-northeast-1.amazonaws.com/2015-03-31/functions/test-function/invocations',
        method: 'POST',
        timeout: 60,
        jobnetValKeys: { StatusCode: 'statusCode' },
      },
    },
  },
  {
    section: '8.3.1.3',
    jobnet: 'aws-step-functions',
    job: 'start-execution',
    credential: { name: 'Aws_Step_Functions', type: 'awssigv4', audience: 'execute-api' },
    call: {
      request: {
        url: `${stepFunctionsStage}/startexecution`,
        method: 'POST',
        // Printed "Sleep60 " with a trailing space, which Step Functions refuses in a name.
        body: {
          input: '{}',
          name: 'Sleep60',
          stateMachineArn: 'arn:aws:states:ap-northeast-1:123456789012:stateMachine:sleep60',
        },
        timeout: 60,
        takeoverKeys: { executionId: 'executionArn' },
      },
      monitoring: {
        url: `${stepFunctionsStage}/describeexecution`,
        method: 'POST',
        body: { executionArn: '<executionId>' },
        ...fivePolls,
        pollingEndKey: 'status',
        pollingEndVal: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
        checkResultKey: 'status',
        checkResultVal: ['SUCCEEDED'],
      },
      termination: {
        url: `${stepFunctionsStage}/stopexecution`,
        method: 'POST',
        body: { executionArn: '<executionId>' },
      },
    },
  },
  {
    section: '8.3.1.4',
    jobnet: 'aws-s3-file-wait',
    job: 'wait-created',
    credential: { name: 'Aws_S3_Lambda', type: 'awssigv4', audience: 'lambda' },
    call: fileWait(s3FunctionUrl, { ...s3File, option: 'wait' }, binaryBody),
  },
  {
    section: '8.3.1.4',
    jobnet: 'aws-s3-file-wait',
    job: 'wait-updated',
    credential: { name: 'Aws_S3_Lambda', type: 'awssigv4', audience: 'lambda' },
    call: fileUpdateWait(s3FunctionUrl, s3File, binaryBody),
  },
  {
    section: '8.3.1.4',
    jobnet: 'aws-s3-file-wait',
    job: 'wait-deleted',
    credential: { name: 'Aws_S3_Lambda', type: 'awssigv4', audience: 'lambda' },
    call: fileWait(s3FunctionUrl, { ...s3File, option: 'delete' }, binaryBody),
  },
  {
    section: '8.3.1.5',
    jobnet: 'aws-backup',
    job: 'start-backup-job',
    credential: { name: 'Aws_backup', type: 'awssigv4', audience: 'backup' },
    call: {
      request: {
        url: awsBackupJobs,
        method: 'PUT',
        body: {
          BackupVaultName: 'test',
          ResourceArn: 'arn:aws:s3:::test-backup',
          IamRoleArn: 'arn:aws:iam::123456789012:role/test_backup',
          Lifecycle: { DeleteAfterDays: 1 },
        },
        timeout: 60,
        takeoverKeys: { BACKUPJOBID: 'BackupJobId' },
      },
      monitoring: {
        url: `${awsBackupJobs}<BACKUPJOBID>`,
        method: 'GET',
        ...fivePolls,
        pollingEndKey: 'State',
        // PARTIAL is not in the WOI user guide: a partially completed backup would otherwise poll until pollingCount runs out.
        pollingEndVal: ['COMPLETED', 'FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'],
        checkResultKey: 'State',
        checkResultVal: ['COMPLETED'],
      },
      termination: { url: `${awsBackupJobs}<BACKUPJOBID>`, method: 'POST' },
    },
  },
  {
    section: '8.3.1.6',
    jobnet: 'aws-rds',
    job: 'start-db-instance',
    credential: { name: 'Aws_rds', type: 'awssigv4', audience: 'rds' },
    call: awsQueryPair(
      'rds.ap-northeast-1.amazonaws.com',
      { DBInstanceIdentifier: 'rs-rds-database-1', Action: 'StartDBInstance', Version: '2014-10-31' },
      rdsDescribe,
      rdsStatus,
      ['available', 'failed'],
      ['available'],
    ),
  },
  {
    section: '8.3.1.6',
    jobnet: 'aws-rds',
    job: 'stop-db-instance',
    credential: { name: 'Aws_rds', type: 'awssigv4', audience: 'rds' },
    call: awsQueryPair(
      'rds.ap-northeast-1.amazonaws.com',
      { DBInstanceIdentifier: 'rs-rds-database-1', Action: 'StopDBInstance', Version: '2014-10-31' },
      rdsDescribe,
      rdsStatus,
      ['stopped', 'failed'],
      ['stopped'],
    ),
  },
  {
    section: '8.3.1.7',
    jobnet: 'aws-ec2',
    job: 'start-instances',
    credential: { name: 'Aws_ec2', type: 'awssigv4', audience: 'ec2' },
    call: awsQueryPair(
      'ec2.ap-northeast-1.amazonaws.com',
      { Action: 'StartInstances', 'InstanceId.1': 'i-1234567890abcdef0', Version: '2016-11-15' },
      ec2Describe,
      ec2State,
      ['running', 'terminated'],
      ['running'],
    ),
  },
  {
    section: '8.3.1.7',
    jobnet: 'aws-ec2',
    job: 'stop-instances',
    credential: { name: 'Aws_ec2', type: 'awssigv4', audience: 'ec2' },
    call: awsQueryPair(
      'ec2.ap-northeast-1.amazonaws.com',
      { Action: 'StopInstances', 'InstanceId.1': 'i-1234567890abcdef0', Version: '2016-11-15' },
      ec2Describe,
      ec2State,
      ['stopped', 'terminated'],
      ['stopped'],
    ),
  },
  {
    section: '8.3.1.8',
    jobnet: 'aws-eks-nodes',
    job: 'scale-out-nodes',
    credential: { name: 'Aws_eks', type: 'awssigv4', audience: 'autoscaling' },
    call: awsQueryPair(
      'autoscaling.ap-northeast-1.amazonaws.com',
      asgUpdate('10', '20', '20'),
      asgDescribe,
      asgStatus,
      ['Successful', 'Failed', 'Cancelled'],
      ['Successful'],
    ),
  },
  {
    section: '8.3.1.8',
    jobnet: 'aws-eks-nodes',
    job: 'scale-in-nodes',
    credential: { name: 'Aws_eks', type: 'awssigv4', audience: 'autoscaling' },
    call: awsQueryPair(
      'autoscaling.ap-northeast-1.amazonaws.com',
      asgUpdate('0', '0', '0'),
      asgDescribe,
      asgStatus,
      ['Successful', 'Failed', 'Cancelled'],
      ['Successful'],
    ),
  },
  {
    section: '8.3.1.9',
    jobnet: 'azure-batch',
    job: 'add-task',
    credential: { name: 'Azure-Batch', type: 'azuread', audience: 'https://batch.core.windows.net/' },
    call: {
      request: {
        url: `${azureBatchJob}/tasks`,
        method: 'POST',
        query: { 'api-version': '2023-05-01.17.0' },
        header: { 'Content-Type': 'application/json;odata=minimalmetadata' },
        // Not in the WOI user guide, which shows no body: Add Task needs one, creating the task the monitor URL names.
        body: { id: 'testTask', commandLine: '/bin/sh -c "echo testTask"' },
        timeout: 60,
      },
      monitoring: {
        url: `${azureBatchJob}/tasks/testTask`,
        method: 'GET',
        query: { 'api-version': '2023-05-01.17.0' },
        ...fivePolls,
        pollingEndKey: 'state',
        pollingEndVal: ['completed'],
        checkResultKey: 'executionInfo.result',
        checkResultVal: ['success'],
      },
      termination: {
        url: `${azureBatchJob}/tasks/testTask/terminate`,
        method: 'POST',
        query: { 'api-version': '2023-05-01.17.0' },
      },
    },
  },
  {
    section: '8.3.1.10',
    jobnet: 'azure-functions',
    job: 'call-function',
    credential: { name: 'Azure-Functions', type: 'azuread', audience: 'api://testfunc123456/.default' },
    // The WOI user guide prints "timeout" outside `request`.
    call: {
      request: {
        url: 'https://testfunc123456.azurewebsites.net/api/HttpTrigger1',
        method: 'GET',
        query: { name: 'Function' },
        timeout: 60,
      },
    },
  },
  {
    section: '8.3.1.10',
    jobnet: 'azure-functions-key',
    job: 'call-function',
    credential: { name: 'Azure-Functions-Key', type: 'others' },
    // Not in the WOI user guide: the function-key reading of its unclear authentication.
    call: {
      request: {
        url: 'https://testfunc123456.azurewebsites.net/api/HttpTrigger1',
        method: 'GET',
        query: { name: 'Function' },
        header: { 'x-functions-key': '@functionKey@' },
        timeout: 60,
      },
    },
  },
  {
    section: '8.3.1.11',
    jobnet: 'azure-logic-apps',
    job: 'run-workflow',
    credential: { name: 'Azure-Logic-Apps', type: 'azuread', audience: armScope },
    call: {
      request: {
        // Printed with a space before /triggers.
        url: 'https://prod-27.japaneast.logic.azure.com:443/workflows/abcd1234-5678-90ef-ghij-klmnopqrstuv/triggers/manual/paths/invoke',
        method: 'POST',
        query: { 'api-version': '2016-06-01' },
        timeout: 60,
        takeoverKeys: { RunId: 'name' },
      },
      monitoring: {
        url: `${logicAppRuns}/<RunId>`,
        method: 'GET',
        query: { 'api-version': '2016-06-01' },
        ...fivePolls,
        pollingEndKey: 'properties.status',
        // Printed "Timed out"; Logic Apps reports TimedOut.
        pollingEndVal: ['Succeeded', 'Failed', 'Aborted', 'Cancelled', 'TimedOut'],
        checkResultKey: 'properties.status',
        checkResultVal: ['Succeeded'],
      },
      termination: { url: `${logicAppRuns}/<RunId>/cancel`, method: 'POST', query: { 'api-version': '2016-06-01' } },
    },
  },
  {
    section: '8.3.1.12',
    jobnet: 'azure-blob-file-wait',
    job: 'wait-created',
    credential: { name: 'Azure-Blob-Functions', type: 'azuread', audience: 'api://test-blob' },
    call: fileWait('https://test-blob.azurewebsites.net/api/chkfile_blob', { ...blobFile, option: 'wait' }),
  },
  {
    section: '8.3.1.12',
    jobnet: 'azure-blob-file-wait',
    job: 'wait-updated',
    credential: { name: 'Azure-Blob-Functions', type: 'azuread', audience: 'api://test-blob' },
    call: fileUpdateWait('https://test-blob-function.azurewebsites.net/api/chkfile_blob', blobFile),
  },
  {
    section: '8.3.1.12',
    jobnet: 'azure-blob-file-wait',
    job: 'wait-deleted',
    credential: { name: 'Azure-Blob-Functions', type: 'azuread', audience: 'api://test-blob' },
    call: fileWait('https://test-blob.azurewebsites.net/api/chkfile_blob', { ...blobFile, option: 'delete' }),
  },
  {
    section: '8.3.1.13',
    jobnet: 'azure-backup',
    job: 'backup-vm',
    credential: { name: 'Azure-Backup-Functions', type: 'azuread', audience: 'api://test-backup-function' },
    call: {
      request: {
        url: 'https://test-backup-function.azurewebsites.net/api/backup',
        method: 'POST',
        body: { activity: 'request', ...backupTarget, vmName: 'test-vm1' },
        timeout: 60,
        takeoverKeys: { BACKUPJOBID: 'backupJobId' },
      },
      monitoring: {
        url: 'https://test-backup-function.azurewebsites.net/api/backup',
        method: 'POST',
        body: { activity: 'monitoring', ...backupTarget, backupJobId: '<BACKUPJOBID>' },
        ...fivePolls,
        pollingEndKey: 'properties.status',
        pollingEndVal: ['Completed', 'Failed', 'CompletedWithWarnings', 'Cancelled'],
        checkResultKey: 'properties.status',
        checkResultVal: ['Completed'],
      },
      termination: {
        url: 'https://test-backup-function.azurewebsites.net/api/backup',
        method: 'POST',
        body: { activity: 'termination', ...backupTarget, backupJobId: '<BACKUPJOBID>' },
      },
    },
  },
  {
    section: '8.3.1.14',
    jobnet: 'azure-sql-mi',
    job: 'start-instance',
    credential: { name: 'Azure-SQL-Mi', type: 'azuread', audience: 'https://management.azure.com/' },
    // The printed duplicate pollingEndKey is resolved last-wins.
    call: armOperation(
      `${sqlManagedInstance}/start`,
      sqlManagedInstance,
      '2021-11-01',
      'properties.provisioningState',
      sqlMiFinal,
      ['Succeeded'],
    ),
  },
  {
    section: '8.3.1.14',
    jobnet: 'azure-sql-mi',
    job: 'stop-instance',
    credential: { name: 'Azure-SQL-Mi', type: 'azuread', audience: 'https://management.azure.com/' },
    call: armOperation(
      `${sqlManagedInstance}/stop`,
      sqlManagedInstance,
      '2021-11-01',
      'properties.provisioningState',
      sqlMiFinal,
      ['Succeeded'],
    ),
  },
  {
    section: '8.3.1.15',
    jobnet: 'azure-vms',
    job: 'start-vm',
    credential: { name: 'Azure-VM', type: 'azuread', audience: armScope },
    call: armOperation(
      `${virtualMachine}/start`,
      `${virtualMachine}/instanceView`,
      '2024-03-01',
      'statuses.[0].displayStatus',
      vmFinal,
      ['Provisioning succeeded'],
    ),
  },
  {
    section: '8.3.1.15',
    jobnet: 'azure-vms',
    job: 'deallocate-vm',
    credential: { name: 'Azure-VM', type: 'azuread', audience: armScope },
    call: armOperation(
      `${virtualMachine}/deallocate`,
      `${virtualMachine}/instanceView`,
      '2024-03-01',
      'statuses.[0].displayStatus',
      vmFinal,
      ['Provisioning succeeded'],
    ),
  },
  {
    section: '8.3.1.16',
    jobnet: 'azure-aks',
    job: 'start-cluster',
    credential: { name: 'Azure-AKS', type: 'azuread', audience: armScope },
    call: armOperation(
      `${aksCluster}/start`,
      aksCluster,
      '2024-02-01',
      'properties.provisioningState',
      ['Succeeded', 'Failed', 'Canceled'],
      ['Succeeded'],
      `${aksCluster}/abort`,
    ),
  },
  {
    section: '8.3.1.16',
    jobnet: 'azure-aks',
    job: 'stop-cluster',
    credential: { name: 'Azure-AKS', type: 'azuread', audience: armScope },
    call: armOperation(
      `${aksCluster}/stop`,
      aksCluster,
      '2024-02-01',
      'properties.provisioningState',
      ['Succeeded', 'Failed', 'Canceled'],
      ['Succeeded'],
      `${aksCluster}/abort`,
    ),
  },
];

/** The 16 services of WOI 8.3.1 and the fixture jobnet of each (R-REST-8). */
const serviceJobnets: [string, string][] = [
  ['8.3.1.1', 'aws-batch'],
  ['8.3.1.2', 'aws-lambda'],
  ['8.3.1.3', 'aws-step-functions'],
  ['8.3.1.4', 'aws-s3-file-wait'],
  ['8.3.1.5', 'aws-backup'],
  ['8.3.1.6', 'aws-rds'],
  ['8.3.1.7', 'aws-ec2'],
  ['8.3.1.8', 'aws-eks-nodes'],
  ['8.3.1.9', 'azure-batch'],
  ['8.3.1.10', 'azure-functions'],
  ['8.3.1.11', 'azure-logic-apps'],
  ['8.3.1.12', 'azure-blob-file-wait'],
  ['8.3.1.13', 'azure-backup'],
  ['8.3.1.14', 'azure-sql-mi'],
  ['8.3.1.15', 'azure-vms'],
  ['8.3.1.16', 'azure-aks'],
];

// ---------------------------------------------------------------------------------------------

function describeDiagnostic(d: Diagnostic): string {
  return `${d.severity} ${d.code} ${d.file}:${d.line}:${d.column} ${d.message}`;
}

describe('the 16 REST service examples of WOI 8.3.1 (R-REST-8)', () => {
  let repository: ValidatedRepository;
  let diagnostics: Diagnostic[];
  let jobnets: Map<string, CompiledJobnet>;

  beforeAll(async () => {
    const result = await validateRepository(fixture);
    repository = result.value;
    diagnostics = result.diagnostics;
    const all = compileAllJobnets(repository);
    if (!all.ok) throw new Error(all.message);
    expect(all.failures).toEqual([]);
    jobnets = new Map(all.jobnets.map((jobnet) => [jobnet.name, jobnet]));
  });

  function jobOf(jobnet: string, job: string): CompiledJob {
    const compiled = jobnets.get(jobnet)?.jobs[job];
    if (compiled === undefined) throw new Error(`no job ${job} in services/${jobnet}`);
    return compiled;
  }

  function restSpecOf(jobnet: string, job: string): RestSpec {
    const compiled = jobOf(jobnet, job);
    if (compiled.type !== 'rest')
      throw new Error(`services/${jobnet} job ${job} is a ${compiled.type} job, not a rest job`);
    return compiled.spec;
  }

  it('validate through the same function as `jobnet validate`, without a single diagnostic', () => {
    expect(diagnostics.map(describeDiagnostic)).toEqual([]);
  });

  it('compile, one sound jobnet per service, all in project services', () => {
    expect([...jobnets.keys()]).toEqual(expect.arrayContaining(serviceJobnets.map(([, jobnet]) => jobnet)));
    expect([...jobnets.keys()].sort()).toEqual(
      [...repository.index.jobnets.values()].map((j) => j.value.metadata.name).sort(),
    );
    for (const jobnet of jobnets.values()) {
      expect(jobnet.project).toBe('services');
      expect(compiledJobnetProblems(jobnet), jobnet.name).toEqual([]);
      expect(jobnet.environment).toBe('seed');
    }
  });

  it('cover every section 8.3.1.1–8.3.1.16 with the jobnet of its service, and every REST job of the fixture', () => {
    expect(serviceJobnets.map(([section]) => section)).toEqual(Array.from({ length: 16 }, (_, i) => `8.3.1.${i + 1}`));
    for (const [section, jobnet] of serviceJobnets) {
      expect(
        seedExamples.filter((e) => e.section === section && e.jobnet === jobnet).length,
        `${section} ${jobnet}`,
      ).toBeGreaterThan(0);
    }
    const restJobs = [...jobnets.values()].flatMap((jobnet) =>
      Object.values(jobnet.jobs)
        .filter((job) => job.type === 'rest')
        .map((job) => `${jobnet.name}/${job.name}`),
    );
    expect(restJobs.sort()).toEqual(seedExamples.map((e) => `${e.jobnet}/${e.job}`).sort());
  });

  it.each(seedExamples.map((e) => [e.section, `${e.jobnet}/${e.job}`, e] as const))(
    'WOI %s, %s: the compiled job keeps every parameter of the WOI user guide',
    (_section, _name, example) => {
      const jobnet = jobnets.get(example.jobnet) as CompiledJobnet;
      const spec = restSpecOf(example.jobnet, example.job);
      const { request, monitoring, termination } = spec;
      const call = {
        request,
        ...(monitoring === undefined ? {} : { monitoring }),
        ...(termination === undefined ? {} : { termination }),
      };
      // The run-time substitution of job-definition variables (R-VAR-4) gives back the WOI user guide's literal values.
      const substituted = substituteInValue(
        call,
        { definitionVariables: jobnet.variables ?? {} },
        { field: example.job },
      );
      if (!substituted.ok) throw new Error(substituted.message);
      expect(substituted.value).toEqual(example.call);
    },
  );

  it.each(seedExamples.map((e) => [e.section, `${e.jobnet}/${e.job}`, e] as const))(
    'WOI %s, %s: authenticates with the credential the WOI user guide names, of the type it needs',
    (_section, _name, example) => {
      const credential = restSpecOf(example.jobnet, example.job).credential;
      expect(credential?.name).toBe(example.credential.name);
      expect(credential?.type).toBe(example.credential.type);
      if (credential?.type === 'awssigv4') {
        expect({ service: credential.service, region: credential.region }).toEqual({
          service: example.credential.audience,
          region: 'ap-northeast-1',
        });
      } else if (credential?.type === 'azuread') {
        expect(credential.resource ?? credential.scope).toBe(example.credential.audience);
        expect(credential.resource !== undefined && credential.scope !== undefined).toBe(false);
      }
    },
  );

  it('judge the Lambda result with a jobnet-variable check of StatusCode, as WOI 8.3.1.2 prescribes', () => {
    expect(jobOf('aws-lambda', 'invoke-function').capturePrefix).toBe('LAMBDA');
    expect(jobOf('aws-lambda', 'check-status-code')).toMatchObject({
      type: 'checkVariable',
      predecessors: [{ job: 'invoke-function' }],
      spec: { variable: 'LAMBDA.StatusCode', number: { op: 'EQ', value: 200 }, invert: false },
    });
    expect(jobOf('aws-lambda', 'on-success').predecessors).toEqual([
      { job: 'check-status-code', condition: { kind: 'compare', operator: '==', value: 0 } },
    ]);
  });

  it.each([
    ['aws-s3-file-wait', ['wait-created', 'wait-updated', 'wait-deleted']],
    ['azure-blob-file-wait', ['wait-created', 'wait-updated', 'wait-deleted']],
    ['aws-rds', ['start-db-instance', 'stop-db-instance']],
    ['aws-ec2', ['start-instances', 'stop-instances']],
    ['aws-eks-nodes', ['scale-out-nodes', 'scale-in-nodes']],
    ['azure-sql-mi', ['start-instance', 'stop-instance']],
    ['azure-vms', ['start-vm', 'deallocate-vm']],
    ['azure-aks', ['start-cluster', 'stop-cluster']],
  ])('%s runs its variants one after another, never two operations on one resource at once', (jobnet, order) => {
    order.slice(1).forEach((job, i) => {
      expect(jobOf(jobnet, job).predecessors).toEqual([{ job: order[i] }]);
    });
    expect(jobOf(jobnet, order[0] as string).predecessors).toEqual([]);
  });
});
