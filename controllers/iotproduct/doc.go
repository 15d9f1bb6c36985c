// Package iotproduct is the IoTProduct kind's adapter to Alibaba Cloud IoT Platform
// (internal/alibaba) and the controller that runs it on the lifecycle engine.
package iotproduct
